package web

import (
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/static"
)

// Cache lifetimes for embedded assets: for good when the URL carries the
// file's content hash (static.Path), briefly otherwise.
const (
	cacheHashed   = "public, max-age=31536000, immutable"
	cacheUnhashed = "public, max-age=300"
)

// serveStatic serves the embedded assets with validators and caching.
func (s *Server) serveStatic(c *fiber.Ctx) error {
	name := strings.TrimPrefix(c.Params("*"), "/")
	hash, ok := static.ContentHash(name)
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, i18n.Msg("No such file."))
	}
	etag := `"` + hash + `"`
	c.Set(fiber.HeaderETag, etag)
	if v := c.Query("v"); v != "" && strings.HasPrefix(hash, v) {
		c.Set(fiber.HeaderCacheControl, cacheHashed)
	} else {
		c.Set(fiber.HeaderCacheControl, cacheUnhashed)
	}
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	body, err := fs.ReadFile(static.FS, name)
	if err != nil {
		return err
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		c.Set(fiber.HeaderContentType, ct)
	}
	return c.Send(body)
}
