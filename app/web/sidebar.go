package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// sidebarOf is the sidebar of user: the rooms they are a member of
// (parley.MembershipStore.RoomsOf), each with its title.
func (s *Server) sidebarOf(ctx context.Context, user parley.User) ([]components.SidebarEntry, error) {
	rooms, err := s.opts.Members.RoomsOf(ctx, user.ID)
	if err != nil {
		return nil, fmt.Errorf("web: rooms of user: %w", err)
	}
	entries := make([]components.SidebarEntry, 0, len(rooms))
	for _, r := range rooms {
		title, err := s.roomTitle(ctx, r, user)
		if err != nil {
			return nil, err
		}
		entries = append(entries, components.SidebarEntry{Room: r, Title: title})
	}
	return entries, nil
}

// roomTitle is what viewer sees a room called: "#name", or for a direct
// conversation the display names of its other people, joined by ", ".
func (s *Server) roomTitle(ctx context.Context, room parley.Room, viewer parley.User) (string, error) {
	if room.Kind != parley.RoomDirect {
		return "#" + room.Name, nil
	}
	people, err := s.opts.Members.Members(ctx, room.ID)
	if err != nil {
		return "", fmt.Errorf("web: members: %w", err)
	}
	return othersTitle(people, viewer.ID), nil
}

// othersTitle joins the display names of people other than viewerID.
func othersTitle(people []parley.User, viewerID int64) string {
	names := make([]string, 0, len(people))
	for _, p := range people {
		if p.ID != viewerID {
			names = append(names, p.DisplayName)
		}
	}
	return strings.Join(names, ", ")
}

// listRoom puts a public or private room into the sidebar of user's open
// pages, after the store has made them a member.
func (s *Server) listRoom(room parley.Room, userID int64) {
	s.opts.Chat.ApplyPersonal(parley.RoomListed{UserID: userID, Room: room, Title: "#" + room.Name})
}
