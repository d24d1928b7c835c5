# Another correct way: sinh / cosh, each through exp.
fn my_tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))
