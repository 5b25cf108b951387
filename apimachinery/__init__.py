"""What every service shares: the scheme, the codec, errors, selectors and the informer."""
