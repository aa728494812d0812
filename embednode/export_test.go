package embednode

// HumanLine exposes humanLine to the tests.
var HumanLine = humanLine

// Printable exposes printable to the tests.
var Printable = printable
