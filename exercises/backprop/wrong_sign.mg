# Forgets that f is negative: every gradient below d has the wrong sign.
a = 2.0; b = -3.0; c = 10.0; f = -2.0
e = a*b; d = e + c; L = d*f

L.grad = 1
d.grad = -f.data
f.grad = d.data
e.grad = d.grad
c.grad = d.grad
a.grad = b.data * e.grad
b.grad = a.data * e.grad
