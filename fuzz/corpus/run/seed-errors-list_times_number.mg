xs = [1, 2]
y = xs * 2
