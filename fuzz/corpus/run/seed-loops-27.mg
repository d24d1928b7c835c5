x = 3
fn sq(v) = v * v
for k in 0..3 { x = sq(x) / 10 }
print x
print f"{x:.4e} {x!r} {-x:+.1f}"
