fn f(n) = f(n-1).data.data.data
f(1)
