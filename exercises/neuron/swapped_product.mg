# Right through tanh and '+', but '*' does not swap: x1 gets x1's data.
o.grad = 1
n.grad = 1 - o.data**2
b.grad = n.grad
x1.grad = x1.data * n.grad
w1.grad = w1.data * n.grad
x2.grad = x2.data * n.grad
w2.grad = w2.data * n.grad
