# A training loop (the lecture's four examples): get the MLP's loss under 0.01.
# The model itself is checked, not only a variable named loss.

exercise "Train the MLP"

setup {
  seed 1
  xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
  ys = [1.0, -1.0, -1.0, 1.0]
  n = MLP(3, [4, 4, 1])
}

# A loop needs backward: only checking tools and the shortcut are forbidden.
forbid check, explain, derivative

require "your loop gets the loss below 0.01" loss.data < 0.01 points=3
require "n itself fits the data (its loss, recomputed, is below 0.01)" sum([(n(x) - y)**2 for (x, y) in zip(xs, ys)]).data < 0.01 points=2
