L.grad = 1
d.grad = -2
check L
