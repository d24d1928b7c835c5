fn down(x) = down(x + 1) + 1
L.grad = 1
y = down(0)
