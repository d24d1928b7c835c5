x = 2
y = tanh(x, 1)
