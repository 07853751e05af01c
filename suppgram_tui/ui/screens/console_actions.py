"""The console's conversation actions (claim, postpone, resolve, hand over, tag,
retry): workers, so that they can wait for the agent's answer to a question; a lost race
is a warning and a failed request an error, in toasts, never a crash."""

from __future__ import annotations

from textual import work
from textual.screen import Screen

from suppgram_tui.inbox import ActionFailed, ClaimLost, ConversationAction, Delivery, Inbox
from suppgram_tui.settings import Settings
from suppgram_tui.text import one_line

from .confirm import ConfirmScreen
from .hand_over import HandOverScreen
from .prompt import PromptScreen


class ConversationActions(Screen[None]):
    """The open conversation's actions, mixed into the console screen."""

    inbox: Inbox
    settings: Settings
    channel: str | None

    def _need_conversation(self) -> str | None:
        if self.channel is None:
            self.notify("Pick a conversation first.", severity="warning")
        return self.channel

    @work(group="state", exit_on_error=False)
    async def action_claim(self) -> None:
        if channel := self._need_conversation():
            await self._apply(ConversationAction.CLAIM, channel)

    @work(group="state", exit_on_error=False)
    async def action_postpone(self) -> None:
        await self._apply_asking_if_taken(ConversationAction.POSTPONE, "ctrl+b")

    @work(group="state", exit_on_error=False)
    async def action_resolve(self) -> None:
        await self._apply_asking_if_taken(ConversationAction.RESOLVE, "ctrl+r")

    async def _apply_asking_if_taken(self, action: ConversationAction, key: str) -> None:
        """At once on a conversation that is mine or free; on another's, ask first."""
        if (channel := self._need_conversation()) is None:
            return
        owner = self.inbox.conversations[channel].assignee
        if owner not in (None, self.settings.agent.name):
            question = (f"{one_line(owner, 30)} has this conversation. "
                        f"{action.verb.capitalize()} it anyway?")
            if not await self.app.push_screen_wait(ConfirmScreen(question, key=key)):
                return
        await self._apply(action, channel)

    @work(group="state", exit_on_error=False)
    async def action_hand_over(self) -> None:
        if channel := self._need_conversation():
            conversation = self.inbox.conversations[channel]
            agent = await self.app.push_screen_wait(HandOverScreen(
                conversation.customer_id or channel, self.inbox.agents()))
            if agent:
                await self._apply(ConversationAction.HAND_OVER, channel, agent)

    @work(group="state", exit_on_error=False)
    async def action_tag(self) -> None:
        if channel := self._need_conversation():
            current = " ".join(self.inbox.conversations[channel].tags)
            tags = await self.app.push_screen_wait(
                PromptScreen("Tags (space-separated)", value=current))
            if tags is not None:
                await self._apply(ConversationAction.SET_TAGS, channel,
                                  tags.replace(",", " ").split())

    async def _apply(self, action: ConversationAction, channel: str, *args: object) -> None:
        """A lost race is a warning, a failed request an error: toasts, not crashes."""
        try:
            await self.inbox.apply(action, channel, *args)
        except ClaimLost as lost:
            self.notify(str(lost), severity="warning", markup=False)
        except ActionFailed as failed:
            self.notify(str(failed), severity="error", markup=False)
        else:
            to = f" to {one_line(str(args[0]), 30)}" if action is ConversationAction.HAND_OVER \
                else ""
            self.notify(f"{action.done}{to}: {one_line(channel, 60)}", markup=False, timeout=3)

    @work(group="replies", exit_on_error=False)
    async def action_retry(self) -> None:
        """Failed replies go again; into another agent's conversation only if confirmed
        (a reply whose claim was lost, say)."""
        if self.channel is not None:
            conversation = self.inbox.conversations[self.channel]
            owner = conversation.assignee
            if owner not in (None, self.settings.agent.name) and any(
                    e.delivery is Delivery.FAILED for e in conversation.entries):
                question = f"{one_line(owner, 30)} has this conversation. Send anyway?"
                if not await self.app.push_screen_wait(ConfirmScreen(question, key="f5")):
                    return
            count = self.inbox.retry_failed(self.channel)
            self.notify(f"Retrying {count} repl{'y' if count == 1 else 'ies'}." if count
                        else "No failed replies in this conversation.", timeout=3)
