"""Base classes of volsvcclient commands.

They give every command the same two things: a ServiceAPI bound to the
user's Block Storage API version, and one-line errors for SDK and
keystoneauth failures (full tracebacks stay behind ``--debug``).
"""


from osc_lib.command import command
from osc_lib import exceptions

from volsvcclient import plugin


class _ServiceCommand:
    def service_api(self):
        """os-services at the version the user asked for."""
        from volsvcclient import services

        requested = self.app.api_version.get(
            plugin.API_NAME, plugin.DEFAULT_API_VERSION
        )
        return services.connect(self.app.client_manager, requested)

    def note(self, message):
        """A line for the operator on stderr, never mixed into output."""
        self.app.stderr.write(message + "\n")

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except exceptions.CommandError:
            raise
        except Exception as exc:
            from volsvcclient import errors

            translated = errors.translate(exc)
            if translated is None:
                raise
            raise translated from exc


class Command(_ServiceCommand, command.Command):
    pass


class Lister(_ServiceCommand, command.Lister):
    pass


class ShowOne(_ServiceCommand, command.ShowOne):
    pass
