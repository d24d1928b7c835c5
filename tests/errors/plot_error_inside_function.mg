fn f(x) = 1 / x
plot f from -1 to 1
