xs = [k for k in 0..10 if k % 2 == 0]
ys = [[a, b] for a in xs for b in 0..2]
print ys, len(ys), sum([a * b for (a, b) in ys])
