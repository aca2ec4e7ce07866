"""The cohort group feed, messages and education reads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backcoach.store.base import utcnow
from backcoach.store.models import (
    CohortGroup,
    Comment,
    EducationRead,
    GroupMembership,
    Message,
    Post,
    PostKind,
    Reaction,
)


def groups_of(db: Session, user_id: int) -> list[CohortGroup]:
    return list(
        db.scalars(
            select(CohortGroup)
            .join(GroupMembership, GroupMembership.group_id == CohortGroup.id)
            .where(GroupMembership.user_id == user_id)
            .order_by(CohortGroup.id)
        )
    )


def join_group(db: Session, group_id: int, user_id: int) -> None:
    exists = db.scalar(
        select(GroupMembership.id).where(
            GroupMembership.group_id == group_id, GroupMembership.user_id == user_id
        )
    )
    if exists is None:
        db.add(GroupMembership(group_id=group_id, user_id=user_id))
        db.flush()


def feed(db: Session, group_id: int, limit: int = 50) -> list[Post]:
    """Visible posts, announcements first, then newest first, with comments and reactions."""
    return list(
        db.scalars(
            select(Post)
            .where(Post.group_id == group_id, Post.hidden_at.is_(None))
            .order_by((Post.kind == PostKind.ANNOUNCEMENT).desc(), Post.created_at.desc(), Post.id.desc())
            .limit(limit)
            .options(
                selectinload(Post.author),
                selectinload(Post.comments).selectinload(Comment.author),
                selectinload(Post.reactions),
            )
        )
    )


def add_post(
    db: Session,
    *,
    group_id: int,
    author_id: int,
    kind: PostKind,
    body: str = "",
    report_id: int | None = None,
) -> Post:
    post = Post(group_id=group_id, author_id=author_id, kind=kind, body=body, report_id=report_id)
    db.add(post)
    db.flush()
    return post


def get_post(db: Session, post_id: int) -> Post | None:
    return db.get(Post, post_id)


def add_comment(db: Session, post: Post, author_id: int, body: str) -> Comment:
    comment = Comment(post_id=post.id, author_id=author_id, body=body)
    db.add(comment)
    db.flush()
    return comment


def toggle_reaction(db: Session, post: Post, user_id: int, kind: str) -> bool:
    """Add the reaction, or remove it if the user already gave it; returns whether it is on."""
    existing = db.scalar(
        select(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == user_id, Reaction.kind == kind
        )
    )
    if existing is not None:
        db.delete(existing)
        db.flush()
        return False
    db.add(Reaction(post_id=post.id, user_id=user_id, kind=kind))
    db.flush()
    return True


def hide_post(db: Session, post: Post, moderator_id: int) -> None:
    post.hidden_at = utcnow()
    post.hidden_by_id = moderator_id
    db.flush()


def send_message(db: Session, sender_id: int, recipient_id: int, body: str) -> Message:
    message = Message(sender_id=sender_id, recipient_id=recipient_id, body=body)
    db.add(message)
    db.flush()
    return message


def conversation(db: Session, a: int, b: int, limit: int = 100) -> list[Message]:
    return list(
        db.scalars(
            select(Message)
            .where(
                ((Message.sender_id == a) & (Message.recipient_id == b))
                | ((Message.sender_id == b) & (Message.recipient_id == a))
            )
            .order_by(Message.sent_at, Message.id)
            .limit(limit)
        )
    )


def mark_read(db: Session, user_id: int, article_id: str) -> None:
    exists = db.scalar(
        select(EducationRead.id).where(
            EducationRead.user_id == user_id, EducationRead.article_id == article_id
        )
    )
    if exists is None:
        db.add(EducationRead(user_id=user_id, article_id=article_id))
        db.flush()


def articles_read(db: Session, user_id: int) -> set[str]:
    return set(db.scalars(select(EducationRead.article_id).where(EducationRead.user_id == user_id)))
