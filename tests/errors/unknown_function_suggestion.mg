x = 0.5
y = tahn(x)
