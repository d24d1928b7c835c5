fn f(x) = [x, x]
plot f
