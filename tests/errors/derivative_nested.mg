fn f(x) = x**2
fn df(x) = derivative(f, x)
print derivative(df, 1)
