x = 0.5
for k in 0..4 { x = tanh(x) + exp(-x) * sqrt(k + 1) - log(k + 2) }
backward x
print x.data, x.grad
