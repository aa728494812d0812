package embednode

// HumanLine exposes humanLine to the tests.
var HumanLine = humanLine
