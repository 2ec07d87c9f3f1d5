package web

// StoreContext is storeContext, for the black-box tests.
var StoreContext = storeContext
