# The lecture's neuron, with tanh and with tanh written through exp.
x1 = 2.0; x2 = 0.0
w1 = -3.0; w2 = 1.0
b = 6.8813735870195432
x1w1 = x1 * w1; x2w2 = x2 * w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = tanh(n)
grad o
assert o.data == 0.7071067811865476
assert x1.grad ~= -1.5
assert w1.grad ~= 1
assert x2.grad ~= 0.5
assert w2.grad == 0
check o

e = exp(2 * n)
o2 = (e - 1) / (e + 1)
grad o2
assert o2.data ~= 0.7071067811865476
assert x1.grad ~= -1.5 and w1.grad ~= 1
check o2
