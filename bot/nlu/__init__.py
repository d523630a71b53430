"""Understanding what parents type: intents, training data, classifiers."""
