fn loss(pred, target=1) = (pred - target)**2
