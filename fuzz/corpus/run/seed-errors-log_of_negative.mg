x = -1
y = log(x)
