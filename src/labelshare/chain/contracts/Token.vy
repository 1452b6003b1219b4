# pragma version ~=0.4.3
"""
@title labelshare Reward Token
@custom:contract-name Token
@license Apache-2.0
@notice The ERC-20 token that epochs pay annotators in, with 18
        decimals, EIP-2612 `permit` and a minter role. It is
        snekmate's `erc20` module as it stands: the deployer is the
        owner and the first minter; the owner grants or revokes the
        minter role with `set_minter` and hands the contract over
        with `transfer_ownership`. A project may instead pay in any
        existing ERC-20 (a stablecoin, say): the `Distributor` and the
        `StakeVault` take the token address at deployment and rely on
        the plain ERC-20 interface only.
"""


from ethereum.ercs import IERC20
implements: IERC20


from ethereum.ercs import IERC20Detailed
implements: IERC20Detailed


from snekmate.auth import ownable
initializes: ownable


from snekmate.tokens import erc20
initializes: erc20[ownable := ownable]


exports: erc20.__interface__


# @dev Every amount the platform handles is an integer in base units
# of 10**-18, so the token's decimals are fixed.
_DECIMALS: constant(uint8) = 18


@deploy
@payable
def __init__(name_: String[25], symbol_: String[5], name_eip712_: String[50], version_eip712_: String[20]):
    """
    @dev To omit the opcodes for checking the `msg.value`
         in the creation-time EVM bytecode, the constructor
         is declared as `payable`.
    @notice The deployer becomes the owner and the first minter.
    @param name_ The maximum 25-character name of the token.
    @param symbol_ The maximum 5-character symbol of the token.
    @param name_eip712_ The maximum 50-character name of the
           EIP-712 signing domain used by `permit`.
    @param version_eip712_ The maximum 20-character version of
           the EIP-712 signing domain.
    """
    ownable.__init__()
    erc20.__init__(name_, symbol_, _DECIMALS, name_eip712_, version_eip712_)
