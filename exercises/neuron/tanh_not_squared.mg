# Uses 1 - o instead of 1 - o**2 for tanh's derivative.
o.grad = 1
n.grad = (1 - o.data) * o.grad
b.grad = n.grad
x1w1x2w2.grad = n.grad
x1w1.grad = n.grad
x2w2.grad = n.grad
x1.grad = w1.data * x1w1.grad
w1.grad = x1.data * x1w1.grad
x2.grad = w2.data * x2w2.grad
w2.grad = x2.data * x2w2.grad
