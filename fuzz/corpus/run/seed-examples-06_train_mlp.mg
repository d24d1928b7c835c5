# 06 — Training a small neural network (an MLP) with gradient descent.
#
# Run: cargo run --release -- examples/06_train_mlp.mg

seed 1     # the weights start random; a fixed seed makes every run the same

# Four examples, three features each, and the target for each.
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]

# 3 inputs -> two hidden layers of 4 tanh neurons -> 1 tanh output.
# Every weight and bias is a node drawn from uniform(-1, 1): 41 parameters.
n = MLP(3, [4, 4, 1])
assert len(parameters(n)) == 4*(3+1) + 4*(4+1) + 1*(4+1)
print "parameters:", len(parameters(n))

# mg has no `while` or `break`, so loop up to a cap and stop updating once the
# loss is small enough.
lr = 0.05
max_steps = 1000
done = false
for k in 0..max_steps {
  if not done {
    # Forward pass: a prediction per example, and one number saying how wrong
    # they are (the sum of squared errors).
    ypred = [n(x) for x in xs]
    loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
    if k % 10 == 0 { print "step", k, "loss", loss.data }
    if loss.data < 0.01 {
      done = true
      steps = k
    } else {
      # Backward pass: zero the old grads first (example 05), then fill them in.
      zero_grad n
      backward loss
      # Update: move every parameter a little against its gradient, which
      # lowers the loss (example 02 went with the gradient to raise L).
      for p in parameters(n) { p.data -= lr * p.grad }
    }
  }
}
assert done, "the loss got below 0.01 within max_steps"
print "loss", loss.data, "after", steps, "updates"
assert loss.data < 0.01

# The predictions now sit close to the targets 1, -1, -1, 1.
print "targets:    ", ys
print "predictions:", [y.data for y in ypred]
for (y, ygt) in zip(ypred, ys) { assert abs(y.data - ygt) < 0.1 }
