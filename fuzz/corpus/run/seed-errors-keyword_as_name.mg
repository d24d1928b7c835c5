grad = 2
