a = 2
b = a * a
grda b
