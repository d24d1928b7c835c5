# a power with a negative base has no derivative in a named exponent
x = -3
p = 2
y = x ** p
backward y
