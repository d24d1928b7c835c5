x = 2
y = foo(x)
