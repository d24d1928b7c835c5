# the gradient of b is 1e200 * 1e200: beyond the largest number
a = 1e200
b = 1e-200
c = 1e200
L = a * b * c
grad L
