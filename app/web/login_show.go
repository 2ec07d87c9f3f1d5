package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/components"
)

// showLoginPage shows the sign-in form, or the chat room to someone
// already signed in.
func (s *Server) showLoginPage(c *fiber.Ctx) error {
	next := nextPath(c.Query("next"))
	if _, ok := currentUser(c); ok {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	f := s.authForm("", "")
	f.Next = next
	return render(c, fiber.StatusOK, components.Login(f))
}

// authForm fills what the sign-in and sign-up pages show.
func (s *Server) authForm(username, errMsg string) components.AuthForm {
	f := components.AuthForm{
		Username:         username,
		Error:            errMsg,
		RegistrationOpen: s.opts.RegistrationOpen,
	}
	if s.opts.Providers != nil {
		for _, p := range s.opts.Providers.List() {
			f.Providers = append(f.Providers, components.ProviderLink{Name: p.Name, Label: p.Label})
		}
	}
	return f
}
