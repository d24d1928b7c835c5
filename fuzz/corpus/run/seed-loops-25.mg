xs = [1, 2]
for k in 0..5 { print xs[k] }
