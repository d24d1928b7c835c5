a.grad = = 7.777
