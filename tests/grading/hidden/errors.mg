a.grad = 1 / 0
