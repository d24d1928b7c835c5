fn f(x, y) = x / y
for k in 0..3 { print f(1, k) }
