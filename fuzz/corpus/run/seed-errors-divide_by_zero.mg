a = 0
b = 1 / a
