x1 = 2.0; x2 = 0.0
w1 = -3.0; w2 = 1.0
b = 6.8813735870195432
x1w1 = x1*w1; x2w2 = x2*w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = tanh(n)

o.grad = 1
n.grad = (1 - o.data**2) * o.grad     # tanh'(n) = 1 - tanh(n)**2
b.grad = n.grad                       # '+' passes the gradient on
x1w1x2w2.grad = n.grad
x1w1.grad = x1w1x2w2.grad
x2w2.grad = x1w1x2w2.grad
x1.grad = w1.data * x1w1.grad         # '*' swaps
w1.grad = x1.data * x1w1.grad
x2.grad = w2.data * x2w2.grad
w2.grad = x2.data * x2w2.grad
