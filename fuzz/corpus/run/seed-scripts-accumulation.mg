# A node used on two paths must add up both contributions.
a = 3.0
b = a + a
backward b
assert a.grad == 2, "b = a + a gives a.grad = 2"

a = -2.0; b = 3.0
d = a * b; e = a + b; f = d * e
backward f
assert a.grad == -3 and b.grad == -8

# backward accumulates, as in micrograd; grad and zero_grad start over.
x = 3; y = x * x
backward y
backward y
assert x.grad == 12
zero_grad
backward y
assert x.grad == 6
grad y
assert x.grad == 6
