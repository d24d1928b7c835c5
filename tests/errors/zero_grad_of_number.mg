a = 2
b = a * 3
zero_grad 5
