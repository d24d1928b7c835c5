fn f(x) = x * 2
for k in 0..3 { fn f(x) = x * 3
print f(k) }
print f(1)
