xs = [1, 2, 3]
ys = [1, 4]
plot xs, ys
