fn f(x) = x * 2
y = f(1, 2)
