fn f(x) = x
plot f from 5 to -5
