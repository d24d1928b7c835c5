fn f(x) { for k in 0..x { if k == 2 { return k } } return -1 }
print [f(n) for n in 0..5]
