import pytest
from tests.ui.test_simulator_screen import ann, standalone, simulator_of, PromptScreen, wait_until  # noqa

@pytest.mark.parametrize("size,f2", [((80, 24), False), ((80, 24), True), ((120, 40), True)])
async def test_scratch(local_server, ann, size, f2):
    app = standalone(local_server.origin)
    async with app.run_test(size=size) as pilot:
        screen = await simulator_of(app)
        await wait_until(lambda: app.focused is screen.composer)
        if f2:
            await pilot.press("f2")
        await pilot.press(*"hi", "enter")
        await pilot.press("ctrl+r")
        prompt = await wait_until(lambda: isinstance(app.screen, PromptScreen) and app.screen)
        await pilot.press(*"5 great", "enter")
        await wait_until(lambda: app.screen is screen)
        await wait_until(lambda: ann.texts("dana-support")[-1:] == ["★★★★★ rated 5/5: great"])
        await pilot.pause(0.5)
        print("FOCUSED", size, f2, app.focused)
