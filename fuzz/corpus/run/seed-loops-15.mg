xs = [1, 2, 3]
for k in 0..3 { xs[k] = xs[k - 1] * 2
xs[-1] += k }
print xs, xs[-2], [xs[i] for i in range(len(xs))]
