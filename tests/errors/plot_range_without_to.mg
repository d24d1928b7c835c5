fn f(x) = x
plot f from 0
