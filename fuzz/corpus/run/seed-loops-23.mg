b = [0, 0, 0]
for k in 0..9 { b[k % 3] += k }
print b
for (i, v) in [[0, 1], [2, 3]] { b[i] = v }
print b
