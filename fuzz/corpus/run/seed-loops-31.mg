fn f(x) { y = 0
for k in 0..3 { y += derivative(tanh, x * k) }
return y }
print f(0.5), derivative(f, 0.3)
